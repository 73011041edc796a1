// What the page says to the reader about saving, importing and planning: messages in the page's
// status line, storage problems in its alert line.

export const notify = (text) => {
  for (const el of document.querySelectorAll(".fg-message")) el.textContent = text;
};

// Storage problems go to a role=alert element: a screen reader announces them at once.
export const storageAlert = (text) => {
  const targets = document.querySelectorAll(".fg-alert");
  for (const el of targets) el.textContent = text;
  if (!targets.length && text) notify(text);
};
