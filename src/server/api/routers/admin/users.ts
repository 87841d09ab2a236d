// Admin: accounts.
import { z } from "zod";
import { AdminUserList, AdminUserListInput, AdminUserUpdateInput, User } from "@/lib/schemas/users";
import { getUser, listUsers, updateUser } from "@/server/services/admin/users";
import { adminProcedure, createTRPCRouter, serviceContext } from "../../trpc";

const tags = ["admin"];

export const adminUsersRouter = createTRPCRouter({
  list: adminProcedure
    .meta({ openapi: { method: "GET", path: "/admin/users", tags, summary: "Search and page through users" } })
    .input(AdminUserListInput)
    .output(AdminUserList)
    .query(({ input }) => listUsers(input)),

  get: adminProcedure
    .meta({ openapi: { method: "GET", path: "/admin/users/{id}", tags, summary: "One user" } })
    .input(z.object({ id: z.string().min(1).max(64) }))
    .output(User)
    .query(({ input }) => getUser(input.id)),

  update: adminProcedure
    .meta({ openapi: { method: "PATCH", path: "/admin/users/{id}", tags, summary: "Change role, status (suspending revokes every session and token), plan or limits" } })
    .input(AdminUserUpdateInput)
    .output(User)
    .mutation(({ ctx, input: { id, ...changes } }) => updateUser(serviceContext(ctx), id, changes)),
});
