// @hey-api/openapi-ts (make clients): its fetch client, zod schemas, and an SDK that checks
// every answer with them. Paths are relative to the repository root, where the target runs it.
export default {
  input: "./openapi/openapi.yaml",
  output: "./build/clients/hey-api",
  logs: { file: false },
  plugins: ["@hey-api/client-fetch", "zod", { name: "@hey-api/sdk", validator: true }],
};
