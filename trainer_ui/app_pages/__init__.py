"""The app's pages: each is thin and calls the logic modules of trainer_ui."""
