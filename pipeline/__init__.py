"""readcast: turn a series of written articles into a narrated podcast.

The package is named after the folder the design card gives it; each stage lives in the
sub-package named after the show folder it writes (episodes, scripts, audio, feed).
"""

__version__ = "0.1.0"
