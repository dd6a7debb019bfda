// openapi-generator's `typescript-fetch` client (build/clients/openapi-generator-typescript-fetch),
// through the walk. It throws on an error status; the body is read with the generated Error model.
import {
  Configuration,
  ConnectableNumberToJSON,
  DeletedNumberToJSON,
  EditedMobileNumberToJSON,
  MobileNumbersApi,
  ModelErrorFromJSON,
  ModelErrorToJSON,
  ResponseError,
  VirtualNumberToJSON,
} from "../../build/clients/openapi-generator-typescript-fetch";
import { type Answer, type Client, main } from "./scenario";

async function answer<T>(call: () => Promise<{ raw: Response; value(): Promise<T> }>, toJson: (value: T) => unknown): Promise<Answer> {
  try {
    const response = await call();
    return { status: response.raw.status, body: toJson(await response.value()) };
  } catch (error) {
    if (!(error instanceof ResponseError)) throw error;
    return { status: error.response.status, body: ModelErrorToJSON(ModelErrorFromJSON(await error.response.json())) };
  }
}

class OpenApiGenerator implements Client {
  constructor(private readonly baseUrl: string) {}

  // An apiKey scheme: the key is the whole Authorization value, the bare token (D14).
  private api(token: string): MobileNumbersApi {
    return new MobileNumbersApi(new Configuration({ basePath: this.baseUrl, apiKey: token }));
  }

  listConnectable(token: string): Promise<Answer> {
    return answer(() => this.api(token).listConnectableMobileNumbersRaw(), (list) => list.map(ConnectableNumberToJSON));
  }

  add(token: string, number: string, dgnNumber: string, purpose: "company" | "not_specified", comment: string): Promise<Answer> {
    return answer(() => this.api(token).addMobileNumberRaw({
      addMobileNumberRequest: { number, dgnNumber, purpose, type: "def", comment },
    }), VirtualNumberToJSON);
  }

  get(token: string, id: number): Promise<Answer> {
    return answer(() => this.api(token).getVirtualNumberRaw({ id }), VirtualNumberToJSON);
  }

  listDef(token: string): Promise<Answer> {
    return answer(() => this.api(token).listVirtualNumbersRaw({ type: "def" }), (list) => list.map(VirtualNumberToJSON));
  }

  editToEmployee(token: string, id: number, employeeId: number, comment: string): Promise<Answer> {
    return answer(() => this.api(token).editMobileNumberRaw({
      id,
      editMobileNumberRequest: { id, purpose: "employee", employeeId, comment },
    }), EditedMobileNumberToJSON);
  }

  delete(token: string, id: number): Promise<Answer> {
    return answer(() => this.api(token).deleteVirtualNumberRaw({ id }), DeletedNumberToJSON);
  }
}

main((baseUrl) => new OpenApiGenerator(baseUrl));
