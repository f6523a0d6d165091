"""Rasa custom actions; `rasa run actions --actions bot.actions` imports every module here."""
