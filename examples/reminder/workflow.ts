// An invoice reminder: give the customer time, then wait a while for the payment, then send
// either a thank-you or a reminder.
//
// While it sleeps or waits the run holds no memory and no isolate, only rows in the store, so
// thousands of reminders can wait for days. The start of each wait is journaled, so a restart
// of the engine does not restart the clock.
import { reminders, sleep, waitForEvent, type Duration, type Workflow } from "alice";

export const workflow = {
  name: "reminder",
  description: "Sleep, wait for the invoice to be paid (with a timeout), then notify the user.",
  triggers: [{ type: "manual" }],
} satisfies Workflow;

interface Input {
  invoiceId: string;
  userId: string;
  /** How long to wait before looking at the invoice (default 1h). */
  delay?: Duration;
  /** How long to wait for the payment after that (default 3d). */
  grace?: Duration;
}

export default async function reminder(input: Input) {
  await sleep(input.delay ?? "1h");

  // Only a payment of this invoice counts (match), and we stop waiting after the grace period
  // (timeout), in which case waitForEvent returns null.
  const paid = await waitForEvent<{ invoiceId: string; amount?: number }>("invoice.paid", {
    match: { invoiceId: input.invoiceId },
    timeout: input.grace ?? "3d",
  });

  if (paid !== null) {
    await reminders.notify({ userId: input.userId, message: `Thank you, invoice ${input.invoiceId} is paid.` });
    return { invoiceId: input.invoiceId, status: "paid", amount: paid.data.amount ?? null };
  }
  await reminders.notify({ userId: input.userId, message: `Invoice ${input.invoiceId} is still open. Please pay it soon.` });
  return { invoiceId: input.invoiceId, status: "reminded" };
}
