"""Data shipped with sumbench: the calibration of the calibrated key-fact matchers."""
