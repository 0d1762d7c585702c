"""The pieces of tools/calibration_check.py."""
