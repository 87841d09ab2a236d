import { Info } from "lucide-react";
import { Alert, AlertDescription } from "@/components/ui/alert";

/** Secrets reach sessions as they open: what that means for shells already running. */
export function RestartNotice() {
  return (
    <Alert className="mb-4" data-testid="restart-notice">
      <Info />
      <AlertDescription>
        Values are encrypted and never shown again once saved. New commands see a change at once; the slot&apos;s own processes and open
        terminals keep the environment they started with, so restart the slot for them to see it.
      </AlertDescription>
    </Alert>
  );
}
