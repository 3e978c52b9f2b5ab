// Container ids (64 hex characters, shown as 12) and Docker-style generated names.
export function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Buffer.from(bytes).toString("hex");
}

const ADJECTIVES = ["admiring", "bold", "brave", "clever", "eager", "elated", "focused", "gallant", "happy", "jolly", "keen", "kind", "lucid", "modest", "nifty", "quirky", "serene", "sharp", "stoic", "vibrant", "wizardly", "zealous"];
const NAMES = ["babbage", "curie", "dijkstra", "euler", "feynman", "goldberg", "hopper", "kare", "knuth", "lamport", "liskov", "lovelace", "noether", "pike", "ritchie", "shannon", "thompson", "torvalds", "turing", "wozniak"];

export function generateName(taken: (name: string) => boolean): string {
  for (let i = 0; ; i++) {
    const a = ADJECTIVES[Math.floor(Math.random() * ADJECTIVES.length)];
    const n = NAMES[Math.floor(Math.random() * NAMES.length)];
    const name = i < 10 ? `${a}_${n}` : `${a}_${n}${i}`;
    if (!taken(name)) return name;
  }
}

export const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
