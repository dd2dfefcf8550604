import { useId, useState } from 'react';
import type { IdentityStatus, SealcallBridge } from '../../../shared/ipc';
import type { SettingKey, SettingsPatch } from '../../../shared/settings-schema';
import { sentence } from '../../components/sentence';
import { useSettingsEditor } from '../../hooks/use-settings-editor';
import { DeviceSettings } from './DeviceSettings';
import { OwnSafetyNumber } from './OwnSafetyNumber';
import { SettingCheckbox } from './SettingCheckbox';
import { ThemeSetting } from './ThemeSetting';

type ReadyIdentity = Extract<IdentityStatus, { state: 'ready' }>;

/** The on/off settings of the Calls section, in the order shown. */
const CALL_SWITCHES: readonly { key: 'relayOnly' | 'ringtone' | 'startMuted' | 'startCameraOff'; label: string; hint?: string }[] = [
  {
    key: 'relayOnly',
    label: 'Relay-only calls (hides your IP address from the other side)',
    hint: 'Calls go through your company’s relay server. They stay end-to-end encrypted, but may sound or look a little worse.',
  },
  { key: 'ringtone', label: 'Play a ringtone for incoming calls' },
  { key: 'startMuted', label: 'Start calls muted' },
  { key: 'startCameraOff', label: 'Start calls with the camera off' },
];

/** Devices, call privacy, ringtone and theme, and who this device is: its safety number and server. */
export function SettingsScreen({ bridge, identity }: { bridge: SealcallBridge; identity: ReadyIdentity }) {
  const ids = useId();
  const { loaded: settings, values, save: saveSetting } = useSettingsEditor(bridge);
  const [problem, setProblem] = useState<string | null>(null);

  if (settings.status === 'loading' || values === undefined) {
    return (
      <p className="pane-content" role="status">
        Loading settings…
      </p>
    );
  }
  if (settings.status === 'failed') {
    return (
      <p className="pane-content notice notice-danger" role="alert">
        Settings could not be loaded: {settings.message}
      </p>
    );
  }
  const view = settings.value;
  const locked = (key: SettingKey) => view.locked.includes(key);
  const save = (patch: SettingsPatch) => {
    setProblem(null);
    void saveSetting(patch).then((failed) => {
      if (failed !== null) setProblem(`That change was not saved. ${sentence(failed)}`);
    });
  };

  return (
    <section className="pane-content settings" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`} className="settings-title">
        Settings
      </h2>
      {problem !== null && (
        <p className="notice notice-danger" role="alert">
          {problem}
        </p>
      )}

      <section className="settings-section" aria-labelledby={`${ids}-devices`}>
        <h3 id={`${ids}-devices`}>Camera, microphone and speaker</h3>
        <DeviceSettings values={values} save={save} />
      </section>

      <section className="settings-section" aria-labelledby={`${ids}-calls`}>
        <h3 id={`${ids}-calls`}>Calls</h3>
        {CALL_SWITCHES.map(({ key, label, hint }) => (
          <SettingCheckbox
            key={key}
            label={label}
            {...(hint === undefined ? {} : { hint })}
            checked={values[key]}
            locked={locked(key)}
            onChange={(checked) => {
              save({ [key]: checked });
            }}
          />
        ))}
      </section>

      <section className="settings-section" aria-labelledby={`${ids}-appearance`}>
        <h3 id={`${ids}-appearance`}>Appearance</h3>
        <ThemeSetting
          theme={values.theme}
          locked={locked('theme')}
          onChange={(theme) => {
            save({ theme });
          }}
        />
      </section>

      <section className="settings-section" aria-labelledby={`${ids}-account`}>
        <h3 id={`${ids}-account`}>Your account</h3>
        <dl className="settings-facts">
          <dt>Signed in as</dt>
          <dd>
            {identity.displayName} ({identity.userId})
          </dd>
          <dt>Server</dt>
          <dd className="settings-server">{view.serverUrl ?? identity.serverUrl}</dd>
        </dl>
        <h4 className="settings-subtitle">Your safety number</h4>
        <OwnSafetyNumber bridge={bridge} />
      </section>
    </section>
  );
}
