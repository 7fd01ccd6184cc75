/**
 * A {@link Transport} over Node's own `node:http` and `node:https`, for short-lived Node processes
 * such as the CLI. Node's `fetch` is undici, whose first use loads and compiles a WebAssembly HTTP
 * parser and whose background tier-up compilation holds the process open after its last request:
 * together about 90 ms on every run. `node:http` parses with the native llhttp and costs a few.
 *
 * Connections are kept alive between the requests of one run (`todo done 1 2 3`); an idle one does
 * not keep the process alive (Node's agent unrefs free sockets). Needs Node 20.16+
 * (`process.getBuiltinModule`).
 */
import type { Agent, ClientRequest, IncomingMessage } from "node:http";
import type { Transport } from "./index.js";

/**
 * Creates a transport with its own keep-alive agents. `node:http` is loaded on the first request
 * and `node:https` (with TLS) on the first `https:` one, synchronously (`process.getBuiltinModule`,
 * without the module loader's round trips), so that a process that sends nothing pays for neither.
 */
export function nodeTransport(): Transport {
  const agents = new Map<string, Agent>();
  const load = (protocol: string) => {
    if (protocol !== "http:" && protocol !== "https:")
      throw new TypeError(`Unsupported protocol ${protocol}`);
    const http = process.getBuiltinModule(protocol === "https:" ? "node:https" : "node:http");
    let agent = agents.get(protocol);
    if (!agent) {
      agent = new http.Agent({ keepAlive: true });
      agents.set(protocol, agent);
    }
    return { request: http.request, agent };
  };

  return async ({ method, url, headers, body, signal }) => {
    const { request, agent } = load(url.protocol);
    const { response, text } = await new Promise<{ response: IncomingMessage; text: string }>(
      (resolve, reject) => {
        const outgoing: ClientRequest = request(url, {
          method,
          agent,
          headers: {
            ...headers,
            ...(body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) }),
          },
          ...(signal ? { signal } : {}),
        });
        outgoing.on("error", reject).on("response", (response: IncomingMessage) => {
          let text = "";
          response
            .setEncoding("utf8")
            .on("data", (chunk: string) => (text += chunk))
            .on("end", () => resolve({ response, text }))
            .on("error", reject);
        });
        outgoing.end(body);
      },
    );
    return {
      status: response.statusCode ?? 0,
      statusText: response.statusMessage ?? "",
      header: (name) => {
        const value = response.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
      },
      body: text,
    };
  };
}
