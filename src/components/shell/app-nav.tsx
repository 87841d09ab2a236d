"use client";
import { BookOpen, Boxes, Container, CreditCard, Gauge, KeyRound, KeySquare, LayoutTemplate, LockKeyhole, Webhook, ScrollText, SlidersHorizontal, Ticket, UserRound, Users } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/lib/cn";

const MAIN = [
  { href: "/dashboard", label: "Overview", icon: Gauge },
  { href: "/slots", label: "Slots", icon: Boxes },
  { href: "/settings/profile", label: "Profile", icon: UserRound },
  { href: "/settings/password", label: "Password", icon: KeyRound },
  { href: "/settings/env", label: "Variables", icon: LockKeyhole },
  { href: "/settings/preferences", label: "Preferences", icon: SlidersHorizontal },
  { href: "/settings/api-keys", label: "API keys", icon: KeySquare },
  { href: "/settings/webhooks", label: "Webhooks", icon: Webhook },
  { href: "/docs", label: "API docs", icon: BookOpen },
];
const ADMIN = [
  { href: "/admin/users", label: "Users", icon: Users },
  { href: "/admin/slots", label: "All slots", icon: Container },
  { href: "/admin/templates", label: "Templates", icon: LayoutTemplate },
  { href: "/admin/plans", label: "Plans", icon: CreditCard },
  { href: "/admin/invites", label: "Invites", icon: Ticket },
  { href: "/admin/audit", label: "Audit log", icon: ScrollText },
];

function NavLink({ href, label, icon: Icon }: (typeof MAIN)[number]) {
  const path = usePathname();
  const active = path === href || path.startsWith(`${href}/`);
  return (
    <Link
      href={href}
      aria-current={active ? "page" : undefined}
      className={cn(
        "flex items-center gap-2 rounded-md px-3 py-2 text-sm text-muted-foreground transition-colors hover:bg-accent hover:text-accent-foreground",
        active && "bg-accent font-medium text-accent-foreground",
      )}
    >
      <Icon className="size-4" aria-hidden />
      {label}
    </Link>
  );
}

export function AppNav({ isAdmin }: { isAdmin: boolean }) {
  return (
    <nav aria-label="Main" className="grid gap-1">
      {MAIN.map((item) => (
        <NavLink key={item.href} {...item} />
      ))}
      {isAdmin ? (
        <>
          <p className="mt-4 mb-1 px-3 text-xs font-medium tracking-wide text-muted-foreground uppercase">Admin</p>
          {ADMIN.map((item) => (
            <NavLink key={item.href} {...item} />
          ))}
        </>
      ) : null}
    </nav>
  );
}
