"""Loading a profile for a command: the core's checks of every key, then the checks that need
the audits (the core cannot import them): every name in ``[audits] disabled`` and
``[audits.severity]`` must be an audit, or a typo would silently switch nothing off."""

from __future__ import annotations

import sys
from pathlib import Path

import audits
from zhaocuo.core.auditmeta import CONTRACT_AUDIT_NAMES
from zhaocuo.core.profile import Profile, ProfileError, load_profile


def known_audits() -> set[str]:
    from zhaocuo.app.platform_import import META as PLATFORM  # its findings come from the app, not an audit

    return set(audits.titles()) | CONTRACT_AUDIT_NAMES | {PLATFORM.name}


def check_audit_names(profile: Profile) -> None:
    known = known_audits()
    listed = ", ".join(sorted(known))
    for i, name in enumerate(profile.audits.disabled):
        if name not in known:
            raise ProfileError(profile.path, f"audits.disabled[{i}]", f"没有名为 {name!r} 的检查项 no such audit "
                                                                      f"(known: {listed})")
    for name in profile.audits.severity:
        if name not in known:
            raise ProfileError(profile.path, f"audits.severity.{name}", f"没有名为 {name!r} 的检查项 no such audit "
                                                                        f"(known: {listed})")


def load(path: str | Path) -> Profile:
    """The profile at ``path``, fully checked; raises ProfileError naming the file and key.
    What is allowed but worth knowing (``profile.notes``) is printed, one line each."""
    profile = load_profile(path)
    check_audit_names(profile)
    for note in profile.notes:
        print(f"注意 note: {note}", file=sys.stderr)
    return profile
