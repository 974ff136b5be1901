"""G40 annual-report analytics: PDF → paragraphs → entities → themes → tables → comparison → report."""
