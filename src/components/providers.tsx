"use client";
import type { ReactNode } from "react";
import { ThemeProvider } from "@/components/theme-provider";
import { Toaster } from "@/components/ui/sonner";
import { TrpcReactProvider } from "@/lib/trpc/react";

export function Providers({ children }: { children: ReactNode }) {
  return (
    <ThemeProvider>
      <TrpcReactProvider>
        {children}
        <Toaster richColors closeButton />
      </TrpcReactProvider>
    </ThemeProvider>
  );
}
