"""The learning engine: learner state and the rules. It knows no concrete page class.

Other apps go through :mod:`lms.api`.
"""
