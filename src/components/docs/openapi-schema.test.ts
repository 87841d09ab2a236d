import { describe, it, expect } from "vitest";

import {
  buildQueryString,
  buildRequest,
  deref,
  exampleFromSchema,
  fillPath,
  filterGroups,
  groupOperations,
  MAX_EXAMPLE_DEPTH,
  requestBodyInfo,
  requiresAuth,
  resolveBaseUrl,
  resolveRef,
  responseList,
  schemaToTree,
  schemaTypeLabel,
  shellQuote,
  UNTAGGED_GROUP,
  type JsonSchema,
  type OpenApiSpec,
} from "./openapi-schema";

const spec: OpenApiSpec = {
  openapi: "3.1.0",
  info: { title: "Berth", version: "1.0.0" },
  servers: [{ url: "http://localhost:3000/api/v1" }],
  tags: [{ name: "slots", description: "Workspace slots" }, { name: "secrets" }, { name: "unused" }],
  components: {
    securitySchemes: { Authorization: { type: "http", scheme: "bearer" } },
    schemas: {
      SlotStatus: { type: "string", enum: ["running", "stopped"] },
      Slot: {
        type: "object",
        properties: {
          id: { type: "string", format: "uuid", readOnly: true },
          name: { type: "string" },
          status: { $ref: "#/components/schemas/SlotStatus" },
        },
        required: ["id", "name"],
      },
      TreeNode: {
        type: "object",
        properties: {
          label: { type: "string" },
          children: { type: "array", items: { $ref: "#/components/schemas/TreeNode" } },
          parent: { $ref: "#/components/schemas/TreeNode" },
        },
      },
      "a/b~c": { type: "integer" },
      LoopA: { $ref: "#/components/schemas/LoopB" },
      LoopB: { $ref: "#/components/schemas/LoopA" },
      Error: {
        type: "object",
        properties: {
          error: {
            type: "object",
            properties: {
              code: { type: "string" },
              message: { type: "string" },
              requestId: { type: "string" },
            },
            required: ["code", "message"],
          },
        },
        required: ["error"],
      },
    },
    parameters: {
      Limit: { name: "limit", in: "query", schema: { type: "integer" } },
    },
    responses: {
      Unauthorized: {
        description: "Authorization not provided",
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      },
    },
  },
  paths: {
    "/slots": {
      get: {
        operationId: "slots-list",
        summary: "List slots",
        tags: ["slots"],
        security: [{ Authorization: [] }],
        parameters: [{ $ref: "#/components/parameters/Limit" }],
        responses: {
          "500": { description: "Internal server error" },
          "200": {
            description: "OK",
            content: { "application/json": { schema: { type: "array", items: { $ref: "#/components/schemas/Slot" } } } },
          },
          "401": { $ref: "#/components/responses/Unauthorized" },
        },
      },
      post: {
        operationId: "slots-create",
        summary: "Create a slot",
        tags: ["slots"],
        requestBody: {
          required: true,
          content: { "application/json": { schema: { $ref: "#/components/schemas/Slot" } } },
        },
        responses: { "200": { description: "Created" } },
      },
    },
    "/slots/{id}": {
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" }, description: "path-level" }],
      delete: {
        operationId: "slots.delete",
        tags: ["slots"],
        security: [],
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" }, description: "op-level" }],
        responses: {},
      },
    },
    "/secrets": {
      get: { summary: "List secrets", tags: ["secrets", "slots"], responses: {} },
    },
    "/health": {
      get: { summary: "Health check", responses: {} },
    },
    "/audit": {
      get: { summary: "Audit log", tags: ["audit"], responses: {} },
    },
  },
};

describe("resolveRef", () => {
  it("resolves component schema references", () => {
    expect(resolveRef(spec, "#/components/schemas/SlotStatus")).toEqual({
      type: "string",
      enum: ["running", "stopped"],
    });
    expect(resolveRef(spec, "#/components/schemas/Slot")).toBe(spec.components?.schemas?.Slot);
  });

  it("decodes ~1 and ~0 in pointer segments", () => {
    expect(resolveRef(spec, "#/components/schemas/a~1b~0c")).toEqual({ type: "integer" });
  });

  it("returns undefined for dangling or external references", () => {
    expect(resolveRef(spec, "#/components/schemas/Nope")).toBeUndefined();
    expect(resolveRef(spec, "#/components/schemas/Slot/properties/nope/deeper")).toBeUndefined();
    expect(resolveRef(spec, "other.json#/components/schemas/Slot")).toBeUndefined();
  });

  it("resolves into arrays by index", () => {
    expect(resolveRef(spec, "#/tags/1")).toEqual({ name: "secrets" });
  });

  it("deref follows chains and stops on ref cycles", () => {
    expect(deref(spec, { $ref: "#/components/parameters/Limit" })).toEqual({
      name: "limit",
      in: "query",
      schema: { type: "integer" },
    });
    expect(deref(spec, { $ref: "#/components/schemas/LoopA" })).toBeUndefined();
    const plain = { type: "string" };
    expect(deref(spec, plain)).toBe(plain);
  });
});

describe("exampleFromSchema", () => {
  it("generates primitive placeholders", () => {
    expect(exampleFromSchema(spec, { type: "string" })).toBe("string");
    expect(exampleFromSchema(spec, { type: "number" })).toBe(0);
    expect(exampleFromSchema(spec, { type: "integer" })).toBe(0);
    expect(exampleFromSchema(spec, { type: "boolean" })).toBe(false);
    expect(exampleFromSchema(spec, { type: "null" })).toBeNull();
    expect(exampleFromSchema(spec, undefined)).toBeNull();
  });

  it("prefers example, then examples, default, const and the first enum value", () => {
    expect(exampleFromSchema(spec, { type: "string", example: "ex", default: "def", enum: ["a"] })).toBe("ex");
    expect(exampleFromSchema(spec, { type: "string", examples: ["first", "second"], default: "def" })).toBe("first");
    expect(exampleFromSchema(spec, { type: "integer", default: 42, enum: [1, 2] })).toBe(42);
    expect(exampleFromSchema(spec, { const: "fixed" })).toBe("fixed");
    expect(exampleFromSchema(spec, { type: "string", enum: ["small", "large"] })).toBe("small");
    expect(exampleFromSchema(spec, { type: "boolean", default: true })).toBe(true);
  });

  it("uses a positive minimum so examples pass validation", () => {
    expect(exampleFromSchema(spec, { type: "integer", minimum: 1, maximum: 100 })).toBe(1);
    expect(exampleFromSchema(spec, { type: "integer", minimum: -5 })).toBe(0);
  });

  it("fills nested objects and arrays recursively", () => {
    const schema: JsonSchema = {
      type: "object",
      properties: {
        name: { type: "string" },
        size: { type: "string", enum: ["s", "m"] },
        resources: {
          type: "object",
          properties: { cpu: { type: "number", default: 1 }, gpu: { type: "boolean" } },
        },
        env: { type: "array", items: { type: "object", properties: { key: { type: "string" } } } },
        ports: { type: "array", items: { type: "integer" } },
      },
    };
    expect(exampleFromSchema(spec, schema)).toEqual({
      name: "string",
      size: "s",
      resources: { cpu: 1, gpu: false },
      env: [{ key: "string" }],
      ports: [0],
    });
  });

  it("resolves $ref, skips readOnly properties and uses enum of referenced schemas", () => {
    expect(exampleFromSchema(spec, { $ref: "#/components/schemas/Slot" })).toEqual({
      name: "string",
      status: "running",
    });
    expect(exampleFromSchema(spec, { type: "array", items: { $ref: "#/components/schemas/SlotStatus" } })).toEqual([
      "running",
    ]);
  });

  it("picks the non-null branch of nullable unions and merges allOf", () => {
    expect(exampleFromSchema(spec, { anyOf: [{ type: "null" }, { type: "integer" }] })).toBe(0);
    expect(exampleFromSchema(spec, { type: ["null", "string"] })).toBe("string");
    expect(
      exampleFromSchema(spec, {
        allOf: [{ $ref: "#/components/schemas/Slot" }, { type: "object", properties: { extra: { type: "boolean" } } }],
      }),
    ).toEqual({ name: "string", status: "running", extra: false });
  });

  it("terminates on recursive schemas", () => {
    const result = exampleFromSchema(spec, { $ref: "#/components/schemas/TreeNode" });
    expect(result).toEqual({ label: "string", children: [{}], parent: {} });
    expect(exampleFromSchema(spec, { $ref: "#/components/schemas/LoopA" })).toBeNull();
  });

  it("terminates on deep (non-ref) nesting", () => {
    let schema: JsonSchema = { type: "string" };
    for (let i = 0; i < 50; i++) schema = { type: "object", properties: { next: schema } };
    let value: unknown = exampleFromSchema(spec, schema);
    let levels = 0;
    while (value && typeof value === "object" && "next" in value) {
      value = (value as { next: unknown }).next;
      levels++;
    }
    expect(levels).toBe(MAX_EXAMPLE_DEPTH);
    expect(value).toEqual({});
  });

  it("honours the starting depth", () => {
    expect(exampleFromSchema(spec, { type: "object", properties: { a: { type: "string" } } }, MAX_EXAMPLE_DEPTH)).toEqual(
      {},
    );
  });
});

describe("schema display helpers", () => {
  it("labels types readably", () => {
    expect(schemaTypeLabel(spec, { type: "string", format: "uuid" })).toBe("string (uuid)");
    expect(schemaTypeLabel(spec, { type: "array", items: { $ref: "#/components/schemas/Slot" } })).toBe("Slot[]");
    expect(schemaTypeLabel(spec, { type: ["string", "null"] })).toBe("string | null");
    expect(schemaTypeLabel(spec, undefined)).toBe("any");
  });

  it("builds a tree with required flags, refs, nullability and cycle markers", () => {
    const tree = schemaToTree(spec, { $ref: "#/components/schemas/Slot" });
    expect(tree.type).toBe("Slot");
    expect(tree.children.map((c) => [c.name, c.required])).toEqual([
      ["id", true],
      ["name", true],
      ["status", false],
    ]);
    expect(tree.children[2]?.enumValues).toEqual(["running", "stopped"]);
    expect(tree.children[2]?.refName).toBe("SlotStatus");

    const nullable = schemaToTree(spec, { anyOf: [{ type: "string" }, { type: "null" }] });
    expect(nullable.nullable).toBe(true);
    expect(nullable.type).toBe("string");

    const recursive = schemaToTree(spec, { $ref: "#/components/schemas/TreeNode" });
    const parent = recursive.children.find((c) => c.name === "parent");
    expect(parent?.circular).toBe(true);
    expect(parent?.children).toEqual([]);
  });
});

describe("fillPath / buildQueryString", () => {
  it("substitutes and URL-encodes path parameters", () => {
    expect(fillPath("/slots/{id}/files/{name}", { id: "a b", name: "dir/x?y#z" })).toBe(
      "/slots/a%20b/files/dir%2Fx%3Fy%23z",
    );
    expect(fillPath("/slots/{id}", { id: 7 })).toBe("/slots/7");
    expect(fillPath("/slots/{id}", {})).toBe("/slots/{id}");
  });

  it("omits empty values and encodes the rest", () => {
    expect(
      buildQueryString({ a: "1", empty: "", nil: null, undef: undefined, flag: false, zero: 0, q: "x&y=z", list: ["p", "q"] }),
    ).toBe("?a=1&flag=false&zero=0&q=x%26y%3Dz&list=p&list=q");
    expect(buildQueryString({ empty: "", none: undefined })).toBe("");
    expect(buildQueryString()).toBe("");
  });
});

describe("buildRequest", () => {
  it("builds a GET with path params, query, token and no body", () => {
    const req = buildRequest({
      baseUrl: "https://berth.test/api/v1/",
      path: "/slots/{id}",
      method: "get",
      pathParams: { id: "s/1" },
      query: { verbose: "true", cursor: "" },
      body: '{"ignored":true}',
      token: "  Bearer tok123 ",
    });
    expect(req.url).toBe("https://berth.test/api/v1/slots/s%2F1?verbose=true");
    expect(req.init.method).toBe("GET");
    expect(req.init.credentials).toBe("same-origin");
    expect(req.init.body).toBeUndefined();
    expect(req.init.headers).toEqual({ Accept: "application/json", Authorization: "Bearer tok123" });
    expect(req.curl).toBe(
      "curl 'https://berth.test/api/v1/slots/s%2F1?verbose=true' \\\n" +
        "  -H 'Accept: application/json' \\\n" +
        "  -H 'Authorization: Bearer tok123'",
    );
  });

  it("builds a POST with a JSON body and a shell-safe curl", () => {
    const body = '{"name":"it\'s mine"}';
    const req = buildRequest({ baseUrl: "https://berth.test/api/v1", path: "/slots", method: "POST", body });
    expect(req.url).toBe("https://berth.test/api/v1/slots");
    expect(req.init.body).toBe(body);
    expect(req.init.headers["Content-Type"]).toBe("application/json");
    expect(req.init.headers.Authorization).toBeUndefined();
    expect(req.curl).toBe(
      "curl -X POST 'https://berth.test/api/v1/slots' \\\n" +
        "  -H 'Accept: application/json' \\\n" +
        "  -H 'Content-Type: application/json' \\\n" +
        `  --data-raw '{"name":"it'\\''s mine"}'`,
    );
  });

  it("stringifies non-string bodies and drops blank ones", () => {
    expect(buildRequest({ baseUrl: "", path: "/x", method: "patch", body: { a: [1] } }).init.body).toBe('{"a":[1]}');
    const blank = buildRequest({ baseUrl: "", path: "/x", method: "delete", body: "   " });
    expect(blank.init.body).toBeUndefined();
    expect(blank.init.headers["Content-Type"]).toBeUndefined();
    expect(blank.curl).toBe("curl -X DELETE '/x' \\\n  -H 'Accept: application/json'");
  });

  it("adds non-blank extra headers", () => {
    const req = buildRequest({ baseUrl: "", path: "/x", method: "get", headers: { "X-Trace": "abc", "X-Empty": " " } });
    expect(req.init.headers).toEqual({ Accept: "application/json", "X-Trace": "abc" });
  });

  it("quotes shell arguments", () => {
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
    expect(shellQuote("$HOME `x`")).toBe("'$HOME `x`'");
  });
});

describe("groupOperations", () => {
  const groups = groupOperations(spec);

  it("orders declared tags first, then undeclared tags, then untagged", () => {
    expect(groups.map((g) => g.tag)).toEqual(["slots", "secrets", "audit", UNTAGGED_GROUP]);
    expect(groups[0]?.description).toBe("Workspace slots");
  });

  it("lists each operation with method, path and operation, in document order", () => {
    const slots = groups[0];
    expect(slots?.operations.map((o) => `${o.method} ${o.path}`)).toEqual([
      "get /slots",
      "post /slots",
      "delete /slots/{id}",
      "get /secrets",
    ]);
    expect(slots?.operations[1]?.operation).toBe(spec.paths?.["/slots"]?.post);
    expect(groups[1]?.operations.map((o) => o.path)).toEqual(["/secrets"]);
    expect(groups[3]?.operations.map((o) => o.path)).toEqual(["/health"]);
  });

  it("derives fragment-safe ids and merges parameters", () => {
    const [list, , del] = groups[0]?.operations ?? [];
    expect(list?.id).toBe("slots-list");
    expect(list?.parameters).toEqual([{ name: "limit", in: "query", schema: { type: "integer" } }]);
    expect(del?.id).toBe("slots-delete");
    expect(del?.parameters).toHaveLength(1);
    expect(del?.parameters[0]?.description).toBe("op-level");
    expect(groups[3]?.operations[0]?.id).toBe("get-health");
  });

  it("filters by method, path, summary and tag", () => {
    expect(filterGroups(groups, "").length).toBe(groups.length);
    const byMethod = filterGroups(groups, "delete");
    expect(byMethod.flatMap((g) => g.operations.map((o) => o.id))).toEqual(["slots-delete"]);
    const multi = filterGroups(groups, "LIST secrets");
    expect(multi.map((g) => g.tag)).toEqual(["slots", "secrets"]);
    expect(filterGroups(groups, "nothing-matches-this")).toEqual([]);
  });
});

describe("operation details", () => {
  it("detects auth requirements", () => {
    expect(requiresAuth(spec, spec.paths!["/slots"]!.get!)).toBe(true);
    expect(requiresAuth(spec, spec.paths!["/slots/{id}"]!.delete!)).toBe(false);
    expect(requiresAuth({ ...spec, security: [{ Authorization: [] }] }, { responses: {} })).toBe(true);
  });

  it("reads the JSON request body", () => {
    const info = requestBodyInfo(spec, spec.paths!["/slots"]!.post!);
    expect(info).toMatchObject({ contentType: "application/json", required: true });
    expect(info?.schema).toEqual({ $ref: "#/components/schemas/Slot" });
    expect(requestBodyInfo(spec, spec.paths!["/slots"]!.get!)).toBeUndefined();
  });

  it("lists responses sorted by status with refs resolved", () => {
    const responses = responseList(spec, spec.paths!["/slots"]!.get!);
    expect(responses.map((r) => r.status)).toEqual(["200", "401", "500"]);
    expect(responses[1]).toMatchObject({
      description: "Authorization not provided",
      contentType: "application/json",
      schema: { $ref: "#/components/schemas/Error" },
    });
    expect(responses[2]?.schema).toBeUndefined();
  });

  it("resolves the base URL on the current origin", () => {
    expect(resolveBaseUrl(spec, "/api/v1/openapi.json", "https://berth.example.com")).toBe(
      "https://berth.example.com/api/v1",
    );
    expect(resolveBaseUrl({}, "/api/v1/openapi.json", "http://localhost:3000")).toBe("http://localhost:3000/api/v1");
    expect(resolveBaseUrl({ servers: [{ url: "/" }] }, "/x/openapi.json", "http://h")).toBe("http://h");
  });
});
