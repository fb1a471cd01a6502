// Desktop notifications through Tauri's notification plugin (permission
// `notification:default`).

import {
  isPermissionGranted,
  requestPermission,
  sendNotification,
} from "@tauri-apps/plugin-notification";

/** Whether notifications may be shown, asking the OS when it has not been asked yet. */
export async function notificationPermitted(): Promise<boolean> {
  if (await isPermissionGranted()) return true;
  return (await requestPermission()) === "granted";
}

export function notifyDesktop(title: string, body: string | null): void {
  sendNotification(body === null ? { title } : { title, body });
}
