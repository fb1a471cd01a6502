// Alert tones made with WebAudio: a sine wave that fades out, no audio files.

import { TONES, type AlertKind } from "./alerts";

let context: AudioContext | null = null;

/** Plays the tone for `kind`; silently nothing where there is no audio. */
export function playTone(kind: AlertKind): void {
  if (typeof AudioContext === "undefined") return;
  context ??= new AudioContext();
  // A webview may hold audio back until the window has been interacted with.
  if (context.state === "suspended") void context.resume();
  const { frequencyHz, durationMs } = TONES[kind];
  const start = context.currentTime;
  const end = start + durationMs / 1000;
  const oscillator = context.createOscillator();
  const gain = context.createGain();
  oscillator.type = "sine";
  oscillator.frequency.setValueAtTime(frequencyHz, start);
  // A quick fade in and out, so the tone starts and stops without a click.
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(0.2, start + 0.01);
  gain.gain.exponentialRampToValueAtTime(0.0001, end);
  oscillator.connect(gain).connect(context.destination);
  oscillator.start(start);
  oscillator.stop(end);
}
