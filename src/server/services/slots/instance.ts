// This installation's id (one row made by the migration), carried by every container as a label.
import { preparedQuery } from "@/server/db";
import { berthInstance } from "@/server/db/schema";

export async function instanceId(): Promise<string> {
  const [row] = await preparedQuery("berth_instance", (d) => d.select({ id: berthInstance.id }).from(berthInstance).limit(1).prepare("berth_instance")).execute();
  if (!row) throw new Error("berth_instance is empty: the migrations did not run");
  return row.id;
}
