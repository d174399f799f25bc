/**
 * One MCP server process over stdio, shared by every tool of a manifest.
 * Opened when the manifest loads (the validator needs the server's schemas
 * then); if the server dies, the next call starts it again, so one crash
 * fails only the calls in flight.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport, type StdioServerParameters } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ToolError } from "../../tool-error.js";

/** How long a server gets to start and answer `initialize`. */
export const CONNECT_TIMEOUT_MS = 20_000;
const STDERR_TAIL_BYTES = 2_000;

export class ServerConnection {
  private current: Promise<Client> | undefined;
  private stderr = "";
  private closed = false;

  constructor(
    private readonly params: StdioServerParameters,
    /** How errors name the server: its command line. */
    readonly label: string,
  ) {}

  /** The connected client, starting the server if it is not running. */
  client(): Promise<Client> {
    if (this.closed)
      return Promise.reject(
        new ToolError(
          "DRIVER_CLOSED",
          `MCP server \`${this.label}\` was shut down with the registry; load a new registry`,
        ),
      );
    return (this.current ??= this.open());
  }

  /** The last lines the server wrote to stderr: the best clue when it dies. */
  stderrTail(): string {
    return this.stderr.trim();
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.current;
    this.current = undefined;
    // The SDK ends stdin, then sends SIGTERM, then SIGKILL, waiting for the exit each time.
    if (pending) await (await pending.catch(() => undefined))?.close();
  }

  private open(): Promise<Client> {
    const transport = new StdioClientTransport({ ...this.params, stderr: "pipe" });
    transport.stderr?.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString("utf8")).slice(-STDERR_TAIL_BYTES);
    });
    const client = new Client({ name: "planfile", version: "0.1.0" });
    const opening = client.connect(transport, { timeout: CONNECT_TIMEOUT_MS }).then(
      () => client,
      async (cause: unknown) => {
        await client.close().catch(() => undefined);
        if (this.current === opening) this.current = undefined;
        const tail = this.stderrTail();
        throw new ToolError(
          "MCP_SERVER_UNAVAILABLE",
          `cannot start MCP server \`${this.label}\`: ${(cause as Error).message}${tail ? `; its stderr: ${tail}` : ""}. Run the command by hand to see why`,
          { transient: true, cause },
        );
      },
    );
    client.onclose = () => {
      if (this.current === opening) this.current = undefined;
    };
    return opening;
  }
}
