"""Measures, allowance rules, training paths, enrolments and attendance registers."""
