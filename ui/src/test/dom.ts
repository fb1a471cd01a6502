// Finding and driving elements by data-testid in component tests (jsdom).

import { flushSync } from "svelte";

/** Lets pending promises and zero-delay timers run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export function el(testid: string): HTMLElement {
  const found = document.querySelector<HTMLElement>(`[data-testid="${testid}"]`);
  if (found === null) throw new Error(`no ${testid}`);
  return found;
}

export function all(testid: string): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>(`[data-testid="${testid}"]`)];
}

export function input(testid: string): HTMLInputElement {
  const found = el(testid);
  if (!(found instanceof HTMLInputElement)) throw new Error(`${testid} is not an input`);
  return found;
}

export function button(testid: string): HTMLButtonElement {
  const found = el(testid);
  if (!(found instanceof HTMLButtonElement)) throw new Error(`${testid} is not a button`);
  return found;
}

export function has(testid: string): boolean {
  return document.querySelector(`[data-testid="${testid}"]`) !== null;
}

/** Text as it reads on screen: runs of whitespace are one space. */
export function read(node: Node | null | undefined): string {
  return (node?.textContent ?? "").replace(/\s+/g, " ").trim();
}

export function text(testid: string): string {
  return read(el(testid));
}

export function type(testid: string, value: string): void {
  const field = input(testid);
  field.value = value;
  field.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

export function press(testid: string, key: string): void {
  el(testid).dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));
  flushSync();
}

export async function click(testid: string): Promise<void> {
  el(testid).click();
  await settle();
  flushSync();
}
