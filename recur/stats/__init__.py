"""Survival statistics on any DataFrame: Kaplan-Meier, log-rank, Cox, PH test."""
