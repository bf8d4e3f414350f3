// An invoice reminder: give the customer time, then wait a while for the payment, then send
// either a thank-you or a reminder.
//
// While it sleeps or waits the run holds no memory and no isolate, only rows in the store, so
// thousands of reminders can wait for days. The start of each wait is journaled, so a restart
// of the engine does not restart the clock.
export default async (input, actions) => {
  await actions.sleep(input.delay ?? '1h');

  // Only a payment of this invoice counts (match), and we stop waiting after the grace period
  // (timeout), in which case waitForEvent returns null.
  const paid = await actions.waitForEvent('invoice.paid', {
    match: { invoiceId: input.invoiceId },
    timeout: input.grace ?? '3d',
  });

  if (paid !== null) {
    await actions.reminders.notify({ userId: input.userId, message: `Thank you, invoice ${input.invoiceId} is paid.` });
    return { invoiceId: input.invoiceId, status: 'paid', amount: paid.data.amount ?? null };
  }
  await actions.reminders.notify({ userId: input.userId, message: `Invoice ${input.invoiceId} is still open. Please pay it soon.` });
  return { invoiceId: input.invoiceId, status: 'reminded' };
};
