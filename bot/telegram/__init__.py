"""Telegram adapter: the only package that imports ``telegram``; thin handlers over the services.

    app.py        build, serve and run the Application (long polling or webhook)
    handlers.py   every handler in order, with its group
    callbacks.py  the one callback_data codec
    texts.py      the German texts shared by several handlers
    jobs.py       every scheduled job
    chat/         questions and answers: commands, questions, feedback, /themen, media
    handoff/      consultations: request and intake, advisors, booking, a user's data
    editors/      the editors: documents, reports

Other packages use the names below (the CLI runs the bot, tests and benchmarks serve it).
"""

from bot.telegram.app import BotApplication, build_application, run_bot, serve

__all__ = ["BotApplication", "build_application", "run_bot", "serve"]
