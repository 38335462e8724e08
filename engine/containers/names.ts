// Container ids (64 hex, like docker) and generated names (`adjective_noun`, like docker).
import crypto from 'node:crypto';

export function newContainerId(): string {
  return crypto.randomBytes(32).toString('hex');
}

const adjectives = ['brave', 'calm', 'eager', 'fancy', 'gentle', 'happy', 'jolly', 'keen', 'lucid', 'merry', 'nifty', 'proud', 'quiet', 'sharp', 'swift', 'tender', 'vivid', 'witty', 'zealous', 'bold'];
const nouns = ['albatross', 'barque', 'brig', 'clipper', 'corvette', 'dhow', 'frigate', 'galleon', 'junk', 'ketch', 'lugger', 'pinnace', 'schooner', 'sloop', 'smack', 'tartane', 'trawler', 'yawl', 'xebec', 'cutter'];

export function generateName(taken: (name: string) => boolean): string {
  for (let attempt = 0; ; attempt++) {
    const a = adjectives[crypto.randomInt(adjectives.length)]!;
    const n = nouns[crypto.randomInt(nouns.length)]!;
    const name = attempt < 20 ? `${a}_${n}` : `${a}_${n}_${crypto.randomInt(1000)}`;
    if (!taken(name)) return name;
  }
}
