/**
 * The lab's data, generated in SQL (generate_series) so a million rows take
 * seconds: an `orders` database of related tables, an `inventory` database,
 * and a `catalog` database whose `services` table is where clients look up
 * which cluster serves a database (the migration's cut-over point). Values are
 * computed from row numbers, never random, so every seed of a size is the same.
 */
import pg from "pg";

export interface SeedCounts {
  customers: number;
  products: number;
  orders: number;
}

/** Table sizes for about `rows` rows in all (order_items ≈ 2 per order, payments ≈ 4 in 5 orders). */
export function seedCounts(rows: number): SeedCounts {
  return {
    customers: Math.max(10, Math.round(rows * 0.05)),
    products: Math.max(10, Math.round(rows * 0.01)),
    orders: Math.max(10, Math.round(rows * 0.25)),
  };
}

const ORDERS_SQL = (n: SeedCounts) => `
CREATE TABLE customers (
  id bigint PRIMARY KEY, name text NOT NULL, email text NOT NULL UNIQUE, region text NOT NULL,
  created_at timestamptz NOT NULL);
CREATE TABLE products (
  id bigint PRIMARY KEY, sku text NOT NULL UNIQUE, name text NOT NULL, price numeric(10,2) NOT NULL);
CREATE TABLE orders (
  id bigint PRIMARY KEY, customer_id bigint NOT NULL, status text NOT NULL, placed_at timestamptz NOT NULL);
CREATE TABLE order_items (
  order_id bigint NOT NULL, line integer NOT NULL, product_id bigint NOT NULL,
  quantity integer NOT NULL, unit_price numeric(10,2) NOT NULL, PRIMARY KEY (order_id, line));
CREATE TABLE payments (
  id bigint PRIMARY KEY, order_id bigint NOT NULL, amount numeric(12,2) NOT NULL, method text NOT NULL,
  paid_at timestamptz NOT NULL);

INSERT INTO customers
SELECT i, 'Customer ' || i, 'customer' || i || '@example.com',
       (ARRAY['us-east','us-west','eu-west','ap-south'])[1 + i % 4],
       timestamptz '2025-01-01 00:00:00+00' + i * interval '17 minutes'
FROM generate_series(1, ${n.customers}) i;

INSERT INTO products
SELECT i, 'SKU-' || lpad(i::text, 6, '0'), 'Product ' || i, round((5 + (i * 37) % 995 + ((i * 13) % 100) / 100.0)::numeric, 2)
FROM generate_series(1, ${n.products}) i;

INSERT INTO orders
SELECT i, 1 + (i * 7919) % ${n.customers},
       (ARRAY['placed','paid','shipped','delivered','cancelled'])[1 + i % 5],
       timestamptz '2026-01-01 00:00:00+00' + i * interval '37 seconds'
FROM generate_series(1, ${n.orders}) i;

INSERT INTO order_items
SELECT o, l, 1 + (o * 31 + l * 17) % ${n.products}, 1 + (o + l) % 5,
       round((5 + ((1 + (o * 31 + l * 17) % ${n.products}) * 37) % 995)::numeric, 2)
FROM generate_series(1, ${n.orders}) o CROSS JOIN LATERAL generate_series(1, 1 + o % 3) l;

INSERT INTO payments
SELECT o, o, round((10 + (o * 53) % 490 + (o % 100) / 100.0)::numeric, 2),
       (ARRAY['card','transfer','wallet'])[1 + o % 3],
       timestamptz '2026-01-01 00:05:00+00' + o * interval '37 seconds'
FROM generate_series(1, ${n.orders}) o WHERE o % 5 <> 0;

ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE order_items ADD FOREIGN KEY (order_id) REFERENCES orders (id);
ALTER TABLE order_items ADD FOREIGN KEY (product_id) REFERENCES products (id);
ALTER TABLE payments ADD FOREIGN KEY (order_id) REFERENCES orders (id);
CREATE INDEX ON orders (customer_id);
CREATE INDEX ON payments (order_id);
ANALYZE;
`;

const INVENTORY_SQL = `
CREATE TABLE warehouses (id integer PRIMARY KEY, name text NOT NULL, region text NOT NULL);
CREATE TABLE stock (
  warehouse_id integer NOT NULL REFERENCES warehouses (id), sku text NOT NULL, quantity integer NOT NULL,
  PRIMARY KEY (warehouse_id, sku));
INSERT INTO warehouses VALUES (1, 'Newark', 'us-east'), (2, 'Reno', 'us-west'), (3, 'Dublin', 'eu-west');
INSERT INTO stock SELECT w, 'SKU-' || lpad(i::text, 6, '0'), (i * w * 11) % 500
FROM generate_series(1, 3) w, generate_series(1, 2000) i;
`;

/** The one table clients read to find a database: the migration's cut-over rewrites its row. */
export const CATALOG_SQL = `
CREATE TABLE services (
  name text PRIMARY KEY, cluster text NOT NULL, host text NOT NULL, port integer NOT NULL,
  database text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
`;

/** The application role, on every cluster (roles belong to a cluster, not to a dump). */
export const APP_ROLE = "orders_app";
export const APP_ROLE_INITIAL_PASSWORD = "orders-app-lab-initial";

export interface LabTarget {
  name: string;
  host: string;
  port: number;
}

async function withClient<T>(target: LabTarget, database: string, body: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: target.host, port: target.port, user: "postgres", database });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

/** Seeds the source cluster (orders, inventory, catalog) and prepares the others (the app role only). */
export async function seedLab(source: LabTarget, others: LabTarget[], rows: number): Promise<void> {
  for (const target of [source, ...others]) {
    await withClient(target, "postgres", (c) =>
      c.query(`CREATE ROLE ${APP_ROLE} LOGIN PASSWORD '${APP_ROLE_INITIAL_PASSWORD}'`),
    );
  }
  await withClient(source, "postgres", async (c) => {
    for (const db of ["orders", "inventory", "catalog"]) await c.query(`CREATE DATABASE ${db}`);
  });
  await withClient(source, "orders", async (c) => {
    await c.query(ORDERS_SQL(seedCounts(rows)));
    await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLE}`);
  });
  await withClient(source, "inventory", (c) => c.query(INVENTORY_SQL));
  await withClient(source, "catalog", async (c) => {
    await c.query(CATALOG_SQL);
    for (const db of ["orders", "inventory"])
      await c.query("INSERT INTO services (name, cluster, host, port, database) VALUES ($1, $2, $3, $4, $1)", [
        db,
        source.name,
        source.host,
        source.port,
      ]);
  });
}
