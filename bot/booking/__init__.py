"""Consultation booking: advisors' slots, bookings that can never collide, invitations, reminders.

Times are stored in UTC and shown in Europe/Berlin.
"""
