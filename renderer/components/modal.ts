// The native <dialog> shown modally while `open` is true (focus trap, Esc, backdrop come with showModal).
import { useEffect, useRef, type RefObject } from 'react';

/** A ref for a <dialog>, kept open (showModal) and closed in step with `open`. */
export function useModal(open: boolean): RefObject<HTMLDialogElement | null> {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return dialog;
}
