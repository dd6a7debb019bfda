// openapi-typescript's types (build/clients/openapi-typescript/schema.d.ts) with openapi-fetch,
// through the walk.
import createClient from "openapi-fetch";
import type { paths } from "../../build/clients/openapi-typescript/schema";
import { type Answer, type Client, main } from "./scenario";

function answer(result: { data?: unknown; error?: unknown; response: Response }): Answer {
  return { status: result.response.status, body: result.data ?? result.error ?? null };
}

class OpenApiFetch implements Client {
  constructor(private readonly baseUrl: string) {}

  // The bare token (D14): the whole value of Authorization, no "Bearer".
  private client(token: string) {
    return createClient<paths>({ baseUrl: this.baseUrl, headers: { Authorization: token } });
  }

  async listConnectable(token: string): Promise<Answer> {
    return answer(await this.client(token).GET("/numbers/def-virtual-number-capacity"));
  }

  async add(token: string, number: string, dgnNumber: string, purpose: "company" | "not_specified", comment: string): Promise<Answer> {
    return answer(await this.client(token).POST("/numbers/unconfirmed", {
      body: { number, dgn_number: dgnNumber, purpose, type: "def", comment },
    }));
  }

  async get(token: string, id: number): Promise<Answer> {
    return answer(await this.client(token).GET("/numbers/virtual-number/{id}", { params: { path: { id } } }));
  }

  async listDef(token: string): Promise<Answer> {
    return answer(await this.client(token).GET("/numbers/virtual-number", { params: { query: { type: "def" } } }));
  }

  async editToEmployee(token: string, id: number, employeeId: number, comment: string): Promise<Answer> {
    return answer(await this.client(token).PUT("/numbers/virtual-number/{id}", {
      params: { path: { id } },
      body: { id, purpose: "employee", employee_id: employeeId, comment },
    }));
  }

  async delete(token: string, id: number): Promise<Answer> {
    return answer(await this.client(token).DELETE("/numbers/virtual-number/{id}", { params: { path: { id } } }));
  }
}

main((baseUrl) => new OpenApiFetch(baseUrl));
