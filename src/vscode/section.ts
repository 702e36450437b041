import type * as vscode from 'vscode';

/**
 * The settings section, apart from src/vscode/settings.ts: reading the settings needs the core's price schema, which
 * belongs to the engine bundle; the views only need to know which section a change touched.
 */
export const SETTINGS_SECTION = 'opusOrchestrator';

/** True when a configuration change touches any of the extension's settings. */
export function affectsSettings(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(SETTINGS_SECTION);
}
