// The walk every generated client takes (make clients), the same steps as
// clients/python/scenario.py: the six operations, then the documented errors. A client is an
// adapter from these calls to its generated code; each call answers the status and the parsed
// value written back as JSON through the generated types. clients/run.py judges the transcript.

export const LARGEST_ID = 9007199254740991; // 2^53 - 1: the largest id the document allows (D30), exact in a double

export interface Answer {
  status: number;
  body: unknown; // the parsed value, as JSON
}

export interface Client {
  listConnectable(token: string): Promise<Answer>;
  add(token: string, number: string, dgnNumber: string, purpose: "company" | "not_specified", comment: string): Promise<Answer>;
  get(token: string, id: number): Promise<Answer>;
  listDef(token: string): Promise<Answer>;
  editToEmployee(token: string, id: number, employeeId: number, comment: string): Promise<Answer>;
  delete(token: string, id: number): Promise<Answer>;
}

interface Offer {
  number: string;
  dgn_number: string;
}

function idOf(answer: Answer): number {
  return (answer.body as { id: number }).id;
}

export async function walk(client: Client, token: string, otherToken: string): Promise<Record<string, Answer>> {
  const steps: Record<string, Answer> = {};
  steps.offers = await client.listConnectable(token);
  const [first, second] = (steps.offers.body as Offer[]).filter((offer) => offer.dgn_number !== "");
  steps.added = await client.add(token, first.number, first.dgn_number, "company", "added");
  const id = idOf(steps.added);
  steps.read = await client.get(token, id);
  steps.listed = await client.listDef(token);
  steps.edited = await client.editToEmployee(token, id, 125, "edited");
  steps.deleted = await client.delete(token, id);
  steps.kept = await client.add(token, second.number, second.dgn_number, "not_specified", "kept");
  const kept = idOf(steps.kept);
  steps.kept_edited = await client.editToEmployee(token, kept, LARGEST_ID, "");
  steps.kept_read = await client.get(token, kept);
  steps.unauthorized = await client.listDef(token + "-wrong");
  steps.gone = await client.get(token, id);
  steps.largest_id = await client.get(token, LARGEST_ID);
  steps.other_account = await client.get(otherToken, kept);
  steps.duplicate = await client.add(token, second.number, second.dgn_number, "company", "again");
  steps.held_elsewhere = await client.add(otherToken, second.number, second.dgn_number, "company", "b");
  return steps;
}

/** Run the walk with BASE_URL, API_TOKEN, OTHER_API_TOKEN; print its transcript as JSON. */
export function main(clientFor: (baseUrl: string) => Client): void {
  const environment = (name: string): string => {
    const value = process.env[name];
    if (value === undefined) throw new Error(`${name} is not set`);
    return value;
  };
  walk(clientFor(environment("BASE_URL")), environment("API_TOKEN"), environment("OTHER_API_TOKEN")).then(
    (steps) => process.stdout.write(JSON.stringify(steps)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
