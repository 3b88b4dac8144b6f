"""The risk register (risikovurdering): risks, their routines and planned measures."""
