// An order: reserve the stock, charge the card, confirm by email.
//
// Every action call is a journaled step. If the process dies half-way, the engine re-runs this
// function from the top: the steps already done return their recorded results at once, so the
// card is never charged twice and the email never goes out twice.
import { ActionError, email, inventory, log, payments, type Workflow } from "alice";

export const workflow = {
  name: "order-flow",
  description: "Reserve stock, charge with retries, confirm by email; compensate a failed payment.",
  triggers: [{ type: "manual" }],
} satisfies Workflow;

interface Input {
  /** The shop's order id. */
  orderId: string;
  /** Where the confirmation goes (a demo address when absent). */
  email?: string;
  /** The card to charge (a demo card when absent). */
  card?: string;
  items: Array<{ sku: string; qty: number }>;
}

export default async function orderFlow(input: Input) {
  const customer = input.email ?? "customer@example.com";

  let reservation;
  try {
    reservation = await inventory.reserve({ orderId: input.orderId, items: input.items });
  } catch (err) {
    // Nothing was reserved or charged yet, so there is nothing to undo: report and stop.
    if (err instanceof ActionError && (err.code === "OUT_OF_STOCK" || err.code === "UNKNOWN_SKU")) {
      return { orderId: input.orderId, status: "rejected", reason: err.code, message: err.message };
    }
    throw err;
  }
  log("reserved", reservation.reservationId, "total", reservation.total);

  let charge;
  try {
    // The gateway's transient failures are retried by the engine with backoff (see
    // payments.charge's retry policy); only a final answer reaches this catch.
    charge = await payments.charge({
      orderId: input.orderId,
      amount: reservation.total,
      currency: reservation.currency,
      card: input.card ?? "4242 4242 4242 4242",
    });
  } catch (err) {
    if (!(err instanceof ActionError)) throw err;
    // A decline is final, but the stock is still held for us: give it back (compensation) so
    // other orders can have it, and tell the customer.
    await inventory.release({ reservationId: reservation.reservationId });
    await email.send({
      to: customer,
      subject: `Order ${input.orderId}: payment failed`,
      text: `We could not charge your card (${err.message}). Nothing was charged.`,
    });
    return { orderId: input.orderId, status: "payment-failed", reason: err.code, released: reservation.reservationId };
  }

  const mail = await email.send({
    to: customer,
    subject: `Order ${input.orderId} confirmed`,
    text: `Thank you! We charged ${(charge.amount / 100).toFixed(2)} ${charge.currency}.`,
  });
  return {
    orderId: input.orderId,
    status: "confirmed",
    total: charge.amount,
    currency: charge.currency,
    chargeId: charge.chargeId,
    confirmation: mail.messageId,
  };
}
