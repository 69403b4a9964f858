"""The questions-and-answers side of the bot: commands, questions, feedback, /themen, media."""
