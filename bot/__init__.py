"""The simulated patient, one folder per process it runs in.

- `server/`: inside the Rasa server (launcher, checked REST channel, tracker store);
- `actions/`: the action server's entry (`rasa_sdk --actions bot.actions`);
- `patient/`, `scenario/`: the patient engine and the scenario format, pure Python that the
  action server runs (and the app, to preview a scenario);
- `client/`: the app's side, the one client of the Rasa server;
- `tools/`: command-line tools (data build, service launcher, replay);
- `domain/`: the Rasa domain (YAML, read by `rasa train`).
"""
