/*! Skylt for WooCommerce: consent gate | Apache-2.0 | plugins/woocommerce/README.md */
// Loaded (deferred) before the snippet while the shop requires consent. window.SkyltConfig arrives with
// `consent: false` and without the customer's identity; window.SkyltConsentGate holds that identity (`user`,
// `userToken`) apart. The gate puts consent and identity into SkyltConfig only while the shopper consents: through
// the WP Consent API when the site has it, else through the shop's banner calling Skylt.consent(true), which the
// snippet remembers in localStorage["skylt:consent"]. A withdrawal takes both out at once; the snippet, told through
// Skylt.consent(false), drops unsent events and its storage.
(() => {
  "use strict";
  const gate = window.SkyltConsentGate || {};
  const config = (window.SkyltConfig = window.SkyltConfig || {});
  const identity = gate.identity || {};
  const category = String(gate.category || "statistics");
  let given = null;

  // SkyltConfig is read on every use, so this takes effect with the snippet's next event or request.
  const apply = (yes) => {
    given = !!yes;
    config.consent = given;
    for (const k of Object.keys(identity)) {
      if (given) config[k] = identity[k];
      else delete config[k];
    }
  };
  const tell = (yes) => {
    if (!!yes === given) return;
    apply(yes);
    if (window.Skylt && typeof window.Skylt.consent == "function") window.Skylt.consent(given);
  };
  const wpApi = () => typeof window.wp_has_consent == "function";
  const stored = () => {
    try { return localStorage.getItem("skylt:consent") === "1"; } catch (e) { return false; }
  };

  if (gate.wpConsentApi) apply(wpApi() ? window.wp_has_consent(category) : gate.given === true);
  else apply(stored());

  document.addEventListener("wp_listen_for_consent_change", (e) => {
    const d = (e && e.detail) || {};
    if (Object.prototype.hasOwnProperty.call(d, category)) tell(d[category] === "allow");
  });
  // After the deferred snippet has run: its Skylt.consent, called by a banner, moves the identity too; what it kept
  // from a consent since withdrawn (on another page, through the consent plugin) is deleted; and a consent plugin
  // whose script came late is asked again.
  document.addEventListener("DOMContentLoaded", () => {
    const s = window.Skylt;
    if (!s || typeof s.consent != "function") return;
    if (!s.consent.gated) {
      const consent = s.consent;
      const gated = function (yes) { apply(yes); return consent.call(this, yes); };
      gated.gated = true;
      try { s.consent = gated; } catch (e) { /* a frozen Skylt: only the WP Consent API moves the identity */ }
    }
    if (gate.wpConsentApi && wpApi()) tell(window.wp_has_consent(category));
    let kept = false;
    try { kept = localStorage.getItem("skylt") !== null || stored(); } catch (e) { /* storage blocked */ }
    if (!given && kept) s.consent(false);
  });
})();
