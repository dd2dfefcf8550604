import { z } from 'zod';

export const themeSchema = z.enum(['system', 'light', 'dark']);

// Media device ids are opaque strings from the browser ('' is the system default); labels are
// kept beside them because ids can change (a re-plugged headset), and then the renderer falls
// back to the device with the same label.
const deviceId = z.string().max(512);
const deviceLabel = z.string().max(256);

const settingsShape = {
  audioInputId: deviceId.optional(),
  audioInputLabel: deviceLabel.optional(),
  videoInputId: deviceId.optional(),
  videoInputLabel: deviceLabel.optional(),
  audioOutputId: deviceId.optional(),
  audioOutputLabel: deviceLabel.optional(),
  /** Send media only through the TURN relay, which hides this computer's IP addresses from the peer. */
  relayOnly: z.boolean(),
  ringtone: z.boolean(),
  theme: themeSchema,
  startMuted: z.boolean(),
  startCameraOff: z.boolean(),
};

export const userSettingsSchema = z.strictObject(settingsShape);
export type UserSettings = z.infer<typeof userSettingsSchema>;
export type SettingKey = keyof UserSettings;

export const SETTING_KEYS = Object.keys(settingsShape) as readonly SettingKey[];

export const DEFAULT_SETTINGS: Readonly<UserSettings> = Object.freeze({
  relayOnly: false,
  ringtone: true,
  theme: 'system',
  startMuted: false,
  startCameraOff: false,
});

/**
 * What the user chose, and nothing else: a key they never touched keeps following the defaults
 * (and the enterprise defaults) as those change. Unknown keys are dropped rather than refused, so
 * a file written by a newer Sealcall still loads after a downgrade.
 */
export const userChoicesSchema = z.object(settingsShape).partial();
export type UserChoices = z.infer<typeof userChoicesSchema>;

export const SETTINGS_FILE_VERSION = 1;
export const settingsFileSchema = z.object({ version: z.literal(SETTINGS_FILE_VERSION), settings: userChoicesSchema });
export type SettingsFile = z.infer<typeof settingsFileSchema>;

/** A change from the UI: a value sets the key, null forgets the user's choice (back to the default). */
export const settingsPatchSchema = z.strictObject({
  audioInputId: deviceId.nullable().optional(),
  audioInputLabel: deviceLabel.nullable().optional(),
  videoInputId: deviceId.nullable().optional(),
  videoInputLabel: deviceLabel.nullable().optional(),
  audioOutputId: deviceId.nullable().optional(),
  audioOutputLabel: deviceLabel.nullable().optional(),
  relayOnly: z.boolean().nullable().optional(),
  ringtone: z.boolean().nullable().optional(),
  theme: themeSchema.nullable().optional(),
  startMuted: z.boolean().nullable().optional(),
  startCameraOff: z.boolean().nullable().optional(),
} satisfies Record<SettingKey, z.ZodType>);
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;
