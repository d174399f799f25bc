/**
 * The few word lists goal reading needs beyond what methods declare: filler
 * people wrap a request in, words that must never be ignored (a second,
 * destructive instruction; a negation), and number words. English only; a
 * method's own verbs and words always win over these lists.
 */
import { stemOf } from "./words.js";

const words = (text: string) => new Set(text.split(/\s+/).filter(Boolean));

/** Politeness, filler and function words: they carry no slot and no task. */
export const FILLER = words(`
  a an the this that these those it its itself their our my your me us we i you they he she him her them
  please pls kindly could can would will should shall may might must just also now today tonight asap soon
  right away quickly safely carefully properly thanks thank thx hi hey hello ok okay go ahead let lets want wanna
  need needs needed like love get got have has had be is are was were been being do does did done make sure
  and then so of for with by on at as via using use over up down out into onto in to from off
  some all any one there here which who what where when while time new existing current currently old
  running runs run live lives living sitting sits located hosted kept over across cluster again
  hopefully eventually team folks guys everyone someone somebody yes yeah sure thing okay fine good great
  today tomorrow tonight morning afternoon evening week asap urgently urgent quick quickly small
  im id ill ive hes shes theyre youre weve were thats theres whats lets its
`);

/** Skipped between a cue and its value: `from the us-east-1 region`. */
export const ARTICLES = words("the a an its their our my your this that");

/**
 * Words that make a goal ask for more than its method does: a destructive
 * act, or an attempt to steer the planner. Compared by stem.
 */
export const DANGER = new Set(
  [
    "delete",
    "drop",
    "destroy",
    "remove",
    "wipe",
    "erase",
    "purge",
    "truncate",
    "terminate",
    "kill",
    "disable",
    "ignore",
    "disregard",
    "forget",
    "override",
    "bypass",
    "exfiltrate",
    "reveal",
    "print",
    "email",
    "format",
    "nuke",
    "shred",
    "revoke",
    "jailbreak",
    "sudo",
    "rm",
  ].map(stemOf),
);

/**
 * A condition on how the task is done (`but keep its DNS`, `without
 * downtime`) that a method cannot honour unless it declares the word.
 * Compared by stem.
 */
export const CONDITIONS = new Set(
  ["keep", "leave", "preserve", "retain", "except", "excluding", "without", "unless", "avoid", "skip", "spare"].map(
    stemOf,
  ),
);

/** A goal that says not to do something is never planned as if it said to. */
export const NEGATIONS = words("not dont never doesnt cannot cant wont shouldnt mustnt neither nor");

export const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
};

/** Common function words of other languages: a goal full of them is not English. */
export const FOREIGN = words(`
  la le les des du une vers avec pour sur dans est et base donnees donnee
  der die das und nach zu von auf mit bitte datenbank
  el los las por para una con hacia base datos
  il della delle dei verso con per
  de da em para com uma banco dados
`);
