// @hey-api/openapi-ts's SDK (build/clients/hey-api): its fetch client, every request and every
// answer checked by the generated zod schemas, through the walk.
import { createClient } from "../../build/clients/hey-api/client";
import {
  addMobileNumber,
  deleteVirtualNumber,
  editMobileNumber,
  getVirtualNumber,
  listConnectableMobileNumbers,
  listVirtualNumbers,
} from "../../build/clients/hey-api";
import { type Answer, type Client, main } from "./scenario";

function answer(result: { data?: unknown; error?: unknown; response?: Response }): Answer {
  if (result.response === undefined) throw new Error("no response");
  return { status: result.response.status, body: result.data ?? result.error ?? null };
}

class HeyApi implements Client {
  constructor(private readonly baseUrl: string) {}

  // The scheme is an apiKey in the Authorization header: `auth` is sent as it is, the bare
  // token (D14).
  private client(token: string) {
    return createClient({ baseUrl: this.baseUrl, auth: token });
  }

  async listConnectable(token: string): Promise<Answer> {
    return answer(await listConnectableMobileNumbers({ client: this.client(token) }));
  }

  async add(token: string, number: string, dgnNumber: string, purpose: "company" | "not_specified", comment: string): Promise<Answer> {
    return answer(await addMobileNumber({
      client: this.client(token),
      body: { number, dgn_number: dgnNumber, purpose, type: "def", comment },
    }));
  }

  async get(token: string, id: number): Promise<Answer> {
    return answer(await getVirtualNumber({ client: this.client(token), path: { id } }));
  }

  async listDef(token: string): Promise<Answer> {
    return answer(await listVirtualNumbers({ client: this.client(token), query: { type: "def" } }));
  }

  async editToEmployee(token: string, id: number, employeeId: number, comment: string): Promise<Answer> {
    return answer(await editMobileNumber({
      client: this.client(token),
      path: { id },
      body: { id, purpose: "employee", employee_id: employeeId, comment },
    }));
  }

  async delete(token: string, id: number): Promise<Answer> {
    return answer(await deleteVirtualNumber({ client: this.client(token), path: { id } }));
  }
}

main((baseUrl) => new HeyApi(baseUrl));
