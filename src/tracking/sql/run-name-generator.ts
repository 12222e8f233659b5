// Random readable run names ("brave-owl-417"), what MLflow gives a run created without a name.
import { randomInt } from 'node:crypto';

const ADJECTIVES = [
  'able', 'adorable', 'amazing', 'bold', 'brave', 'bright', 'calm', 'capable', 'clean', 'clever', 'crisp', 'dapper',
  'defiant', 'eager', 'exultant', 'fearless', 'gentle', 'gifted', 'glamorous', 'honest', 'humble', 'inquisitive',
  'judicious', 'kindly', 'languid', 'loud', 'luxuriant', 'merciful', 'nimble', 'polite', 'quiet', 'rare', 'resilient',
  'righteous', 'rumbling', 'sedate', 'silent', 'skillful', 'smiling', 'stately', 'sincere', 'tasteful', 'thundering',
  'traveling', 'unique', 'upbeat', 'valuable', 'victorious', 'whimsical', 'wise', 'youthful', 'zealous',
];
const NOUNS = [
  'ant', 'ape', 'asp', 'bass', 'bat', 'bear', 'bee', 'boar', 'bug', 'calf', 'carp', 'cat', 'colt', 'conch', 'crab',
  'crane', 'cub', 'deer', 'doe', 'dog', 'donkey', 'dove', 'duck', 'eel', 'elk', 'finch', 'fish', 'flea', 'foal', 'fowl',
  'fox', 'frog', 'gnat', 'goat', 'gull', 'hare', 'hawk', 'hen', 'hog', 'horse', 'hound', 'jay', 'kit', 'koi', 'lamb',
  'lark', 'lynx', 'mare', 'midge', 'mink', 'mole', 'moose', 'moth', 'mouse', 'mule', 'newt', 'owl', 'ox', 'panda',
  'perch', 'pig', 'pug', 'quail', 'ram', 'rat', 'ray', 'robin', 'roo', 'seal', 'shad', 'shark', 'sheep', 'shrew',
  'skink', 'skunk', 'sloth', 'slug', 'snail', 'snake', 'snipe', 'sow', 'squid', 'stag', 'steed', 'stoat', 'stork',
  'swan', 'tern', 'toad', 'trout', 'turtle', 'vole', 'wasp', 'whale', 'wolf', 'worm', 'wren', 'yak', 'zebra',
];

export function generateRunName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${NOUNS[randomInt(NOUNS.length)]}-${randomInt(1000)}`;
}
