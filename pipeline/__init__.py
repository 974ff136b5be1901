"""G40 annual-report analytics: PDF → paragraphs → entities → themes → tables → comparison → report."""

__version__ = "0.1.0"
