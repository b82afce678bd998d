"""policywatch: public policies as versioned Markdown in git, with material-change detection."""

__version__ = "0.1.0"
