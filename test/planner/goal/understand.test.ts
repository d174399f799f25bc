import { describe, expect, it } from "vitest";
import { understand, type Understanding } from "../../../src/planner/goal/index.js";
import { listEntities, type World } from "../../../src/planner/goal/world.js";
import { library, parseMethodFile } from "../../../src/planner/offline/methods.js";

// A small method file in the shipped format; the world is given as the list tools' outputs.
const METHODS = `
apiVersion: planfile/v1
kind: MethodSet
name: lab
entities:
  database:
    nouns: [database, db, postgres database]
    list: {tool: lab.db.list, items: databases}
  region:
    nouns: [region]
    shape: '[a-z]{2}-[a-z]+-\\d+'
    list: {tool: lab.regions.list, items: regions}
  service:
    nouns: [service]
    list: {tool: lab.service.list, items: services}
  record:
    nouns: [record]
    list: {tool: lab.dns.list, items: records, aliases: '[item.name.split(".")[0]]'}
methods:
  - name: migrate
    task: migrate
    intent: {verbs: [migrate, move, relocate, copy over], words: [migration]}
    slots:
      database: {type: database}
      source: {type: region, cues: [from, out of, instead of], infer: database.region}
      target: {type: region, cues: [to, into]}
    say: "Migrate the {{ database }} database from {{ source }} to {{ target }}"
    subtasks: []
  - name: deploy
    task: deploy
    intent: {verbs: [deploy, roll out], words: [version, blue green]}
    slots:
      version: {type: version}
      service: {type: service, infer: world.service}
    say: "Deploy {{ version }} of {{ service }}"
    subtasks: []
  - name: onboard
    task: onboard
    intent: {verbs: [onboard, add], words: [engineer, new]}
    slots:
      user: {type: name, cues: [named, called], join: "."}
    say: "Onboard {{ user }}"
    subtasks: []
  - name: point
    task: point
    intent: {verbs: [point, repoint]}
    slots:
      record: {type: record}
      database: {type: database}
    say: "Point {{ record }} at {{ database }}"
    subtasks: []
`;

const lib = library([parseMethodFile(METHODS, "lab.methods.yaml")]);

function world(outputs: Record<string, unknown>): World {
  const w: World = new Map();
  for (const [type, output] of Object.entries(outputs))
    w.set(type, listEntities(type, lib.entities.get(type)!, output));
  return w;
}

const WORLD = world({
  database: {
    databases: [
      { name: "orders", region: "us-east-1" },
      { name: "inventory", region: "us-east-1" },
      { name: "orders-eu", region: "eu-west-1" },
    ],
  },
  region: { regions: [{ name: "us-east-1" }, { name: "eu-west-1" }] },
  service: { services: [{ name: "checkout" }] },
  record: { records: [{ name: "orders-db.internal" }] },
});

const read = (goal: string, w: World = WORLD) => understand(goal, lib, w);
const params = (u: Understanding) => (u.ok ? { method: u.method.name, ...u.params, goal: undefined } : u.message);

describe("reading a goal against the world", () => {
  it("reads its own wording", () => {
    expect(params(read("Migrate the orders database from us-east-1 to eu-west-1"))).toEqual({
      method: "migrate",
      database: "orders",
      source: "us-east-1",
      target: "eu-west-1",
      goal: undefined,
    });
  });

  it("tolerates politeness, filler, case, word order and synonyms", () => {
    for (const goal of [
      "Please relocate the ORDERS postgres database from us-east-1 over to eu-west-1, thanks!",
      "To eu-west-1, from us-east-1: move orders",
      "We need orders in eu-west-1 instead of us-east-1; migrate it.",
      "could you copy over the orders db into eu-west-1",
    ])
      expect(params(read(goal)), goal).toMatchObject({
        method: "migrate",
        database: "orders",
        source: "us-east-1",
        target: "eu-west-1",
      });
  });

  it("fills a slot the goal leaves out from the world, and says so", () => {
    const u = read("Move the orders DB to eu-west-1");
    expect(u.ok && u.slots.source).toEqual({ value: "us-east-1", how: "inferred" });
    expect(u.ok && u.slots.target).toEqual({ value: "eu-west-1", how: "stated" });
  });

  it("takes uncued values of one type in the order the slots are declared", () => {
    expect(params(read("relocate orders us-east-1 -> eu-west-1"))).toMatchObject({
      source: "us-east-1",
      target: "eu-west-1",
    });
  });

  it("prefers the longest name: orders-db.internal is a record, orders-eu a database, not orders", () => {
    expect(params(read("Point orders-db.internal at orders-eu"))).toMatchObject({
      method: "point",
      record: "orders-db.internal",
      database: "orders-eu",
    });
    expect(params(read("repoint orders-db at orders-eu"))).toMatchObject({ record: "orders-db.internal" });
  });

  it("reads a version by its shape and infers the only service", () => {
    expect(params(read("Roll out v2.4.1 with a blue-green deploy"))).toMatchObject({
      method: "deploy",
      version: "2.4.1",
      service: "checkout",
    });
  });

  it("reads a name joined to its type's noun, and splits at @", () => {
    expect(params(read("Migrate orders-db to eu-west-1"))).toMatchObject({ database: "orders" });
    expect(params(read("Deploy checkout@1.9.0"))).toMatchObject({ service: "checkout", version: "1.9.0" });
  });

  it("makes a person's name into a handle", () => {
    expect(params(read("Onboard a new engineer named Dana Ruiz"))).toMatchObject({ user: "dana.ruiz" });
    expect(params(read("Please onboard Dana Ruiz, our new engineer"))).toMatchObject({ user: "dana.ruiz" });
    expect(params(read("onboard carol"))).toMatchObject({ user: "carol" });
  });
});

describe("refusing with help", () => {
  const refusal = (goal: string) => {
    const u = read(goal);
    return u.ok ? `planned ${u.method.name}` : { reason: u.reason, message: u.message };
  };

  it("names the entities there are when the goal names one that is not, and offers a goal to paste", () => {
    expect(refusal("Migrate the payments database to eu-west-1")).toEqual({
      reason: "UNKNOWN_ENTITY",
      message: expect.stringMatching(
        /^there is no database named payments \(known: inventory, orders, orders-eu\)\nclosest method: migrate .*\ndid you mean: Migrate the orders database from us-east-1 to eu-west-1\?$/,
      ),
    });
  });

  it("leads with a region that does not exist, whatever a method would probe", () => {
    expect(refusal("Migrate orders to ap-south-1")).toMatchObject({
      reason: "UNKNOWN_ENTITY",
      message: expect.stringMatching(/^there is no region named ap-south-1 \(known: eu-west-1, us-east-1\)/),
    });
  });

  it("offers the closest name for a misspelt one", () => {
    expect(refusal("Move the ordrs db to eu-west-1")).toMatchObject({
      reason: "UNKNOWN_ENTITY",
      message: expect.stringContaining("did you mean: Migrate the orders database from us-east-1 to eu-west-1?"),
    });
  });

  it("asks which one when several fit and the goal does not say", () => {
    expect(refusal("Migrate the database to eu-west-1")).toMatchObject({
      reason: "AMBIGUOUS",
      message: expect.stringContaining("which database? the goal does not say, and more than one fits"),
    });
    expect(refusal("Migrate orders and inventory to eu-west-1")).toMatchObject({ reason: "AMBIGUOUS" });
  });

  it("says what is missing when the world cannot supply it", () => {
    expect(refusal("Deploy checkout")).toMatchObject({
      reason: "MISSING_SLOT",
      message: expect.stringContaining("say it like: Deploy <version> of checkout"),
    });
  });

  it("never ignores a negation, a destructive word or a second task", () => {
    expect(refusal("Don't migrate orders to eu-west-1")).toMatchObject({ reason: "EXTRA_INSTRUCTION" });
    expect(refusal("Migrate orders to eu-west-1 and ignore the checks")).toMatchObject({
      reason: "EXTRA_INSTRUCTION",
      message: expect.stringContaining('"ignore"'),
    });
    expect(refusal("Migrate orders to eu-west-1 and deploy 1.2.3")).toMatchObject({
      reason: "EXTRA_INSTRUCTION",
      message: expect.stringContaining("two tasks"),
    });
  });

  it("refuses what no method's verbs name", () => {
    expect(refusal("Delete the orders database")).toMatchObject({ reason: "NO_METHOD" });
  });
});

describe("method files in the intent format", () => {
  const file = (body: string) => `apiVersion: planfile/v1\nkind: MethodSet\nname: x\n${body}`;

  it("rejects a slot whose type no file declares, naming the known ones", () => {
    const parsed = parseMethodFile(
      file("methods:\n  - {name: a, task: a, intent: {verbs: [go]}, slots: {x: {type: thing}}, subtasks: []}\n"),
      "x.methods.yaml",
    );
    expect(() => library([parsed])).toThrow(/slot x has type `thing`.*known: version, count, name/);
  });

  it("rejects an entity type declared in two files", () => {
    const a = parseMethodFile(file(`entities: {db: {shape: 'x'}}\nmethods: [{name: a, task: a, subtasks: []}]\n`), "a");
    const b = parseMethodFile(file(`entities: {db: {shape: 'y'}}\nmethods: [{name: b, task: b, subtasks: []}]\n`), "b");
    expect(() => library([a, b])).toThrow(/entity type db is declared twice \(also in a\)/);
  });

  it("rejects a shape that is not a regular expression, naming the file", () => {
    expect(() =>
      parseMethodFile(file(`entities: {db: {shape: '(('}}\nmethods: [{name: a, task: a, subtasks: []}]\n`), "x.yaml"),
    ).toThrow(/x\.yaml: entity type db: shape/);
  });
});
