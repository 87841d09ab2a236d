// The bridge network every slot joins: Berth-owned, with inter-container traffic disabled.
import type Dockerode from "dockerode";
import { LABELS, RuntimeOperationError } from "../types";
import { callEngine, statusOf, withSignal, type DockerEndpoint } from "./docker-client";

export const SLOT_NETWORK = "berth-slots";

// One network (not one per slot): Docker's default address pools run out near 30 networks, and a
// bridge holds up to 1023 containers. enable_icc=false is what keeps slots from reaching each other.
const ICC_OPTION = "com.docker.network.bridge.enable_icc";
// A fixed interface name, so a host firewall rule (slots must not reach the host's own services
// through the gateway; see ARCHITECTURE.md "Isolation") can name it.
const BRIDGE_NAME_OPTION = "com.docker.network.bridge.name";

/**
 * Returns the id of the slots' network (`berth-slots`; tests pass their own name), creating it when
 * missing. Safe to call from several processes at once: CheckDuplicate makes the engine answer 409
 * to the loser, and if an engine still lets two through, the oldest is kept and the others removed.
 */
export async function ensureSlotNetwork(
  docker: Dockerode,
  endpoint: DockerEndpoint,
  name: string = SLOT_NETWORK,
): Promise<string> {
  const existing = await findSlotNetworks(docker, endpoint, name);
  if (existing.length === 0) {
    try {
      await callEngine(endpoint, `create the network ${name}`, (signal) =>
        docker.createNetwork(
          withSignal(
            {
              Name: name,
              CheckDuplicate: true,
              Driver: "bridge",
              Options: { [ICC_OPTION]: "false", [BRIDGE_NAME_OPTION]: name.slice(0, 15) },
              Labels: { [LABELS.managed]: "1" },
            },
            signal,
          ),
        ),
      );
    } catch (err) {
      // 409: another caller created it a moment ago. Any other failure may be the same race seen
      // from the bridge's side (403 "networks have same bridge name"), and the winner's network can
      // take a moment to be listed: look a few times before giving up.
      if (statusOf(err) !== 409 && (await findSlotNetworksSoon(docker, endpoint, name)).length === 0) throw err;
    }
  }
  const networks = existing.length > 0 ? existing : await findSlotNetworksSoon(docker, endpoint, name);
  const [keep, ...duplicates] = networks;
  if (!keep) throw new RuntimeOperationError(`Docker created the network ${name} but does not list it.`);
  for (const duplicate of duplicates) {
    await callEngine(endpoint, `remove a duplicate ${name} network`, () =>
      docker.getNetwork(duplicate.Id).remove(),
    ).catch(() => undefined); // in use by now: harmless, containers join `keep` by id
  }
  if (keep.Options?.[ICC_OPTION] !== "false") {
    throw new RuntimeOperationError(
      `The network ${name} exists but lets containers reach each other (${ICC_OPTION} is not "false"). ` +
        `Remove it (docker network rm ${name}) and Berth will recreate it isolated.`,
    );
  }
  return keep.Id;
}

/** findSlotNetworks, asked again for up to a second while it finds none (a network another caller is creating). */
async function findSlotNetworksSoon(docker: Dockerode, endpoint: DockerEndpoint, name: string): Promise<Dockerode.NetworkInspectInfo[]> {
  for (let attempt = 0; ; attempt++) {
    const found = await findSlotNetworks(docker, endpoint, name);
    if (found.length > 0 || attempt >= 10) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Networks named exactly `name`, oldest first (the engine's name filter matches substrings). */
async function findSlotNetworks(
  docker: Dockerode,
  endpoint: DockerEndpoint,
  name: string,
): Promise<Dockerode.NetworkInspectInfo[]> {
  const listed = await callEngine(endpoint, "list networks", (signal) =>
    docker.listNetworks(withSignal({ filters: { name: [name] } }, signal)),
  );
  return listed
    .filter((n) => n.Name === name)
    .sort((a, b) => a.Created.localeCompare(b.Created) || a.Id.localeCompare(b.Id));
}
