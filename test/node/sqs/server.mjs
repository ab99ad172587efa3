// Starts local-aws-sqs (an in-memory SQS that speaks the JSON protocol of
// aws-sdk-go-v2) on 127.0.0.1 and prints one JSON line to stdout:
//   {"port":12345,"url":"http://127.0.0.1:12345"}
// Usage: node server.mjs [port]   (default 0: a free port)
// It stops on SIGINT/SIGTERM or when its stdin closes, so a test that dies
// does not leave it running.
import { createSqsServer } from "local-aws-sqs";

const port = Number(process.argv[2] ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`server.mjs: bad port ${process.argv[2]}`);
  process.exit(2);
}

const server = await createSqsServer({
  port,
  hostname: "127.0.0.1",
  region: "ap-south-1",
  emulateQueueCreationLifecycle: false,
});
const { port: bound } = server.address();
process.stdout.write(JSON.stringify({ port: bound, url: `http://127.0.0.1:${bound}` }) + "\n");

const stop = () => {
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
process.stdin.on("end", stop);
process.stdin.on("error", stop);
process.stdin.resume();
