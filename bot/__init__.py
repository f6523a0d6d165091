"""The simulated patient: Rasa actions, the patient model and the scenario format."""
