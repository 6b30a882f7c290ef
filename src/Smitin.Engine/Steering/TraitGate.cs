namespace Smitin.Steering;

/// <summary>
/// The per-sample state of one trait's self-monitor (docs/method.md §4.3 "Self-monitoring"), host side: the last
/// monitor value C(t−1) and, with <see cref="SteeringOptions.LatchGate"/>, whether the gate has closed for good.
///
/// Rules (t = decoder step of the whole piece; step 0 and every window's prefill are never shifted):
/// - scheduled(t) = t ≥ 1 and (ITI: always; SMITIN: (t − 1) mod s = 0);
/// - gate g(t): ITI 1; SMITIN adding: C(t−1) &lt; τ; removing: C(t−1) &gt; τ_remove; no value yet (NaN): closed;
///   latched: closed from the first step whose gate was closed;
/// - β(t): ITI 1; <see cref="BetaRule.One"/> 1; <see cref="BetaRule.OneMinusC"/>: 1 − C(t−1) adding, C(t−1) removing;
/// - monitor-only plans decide the gate and β as above but never shift (coefficient 0).
/// </summary>
internal sealed class TraitGate
{
    readonly TraitIntervention _trait;
    readonly bool _monitorOnly;
    readonly float[] _lastC;
    readonly bool[] _latchedClosed;

    public TraitGate(TraitIntervention trait, int batch, bool monitorOnly)
    {
        _trait = trait; _monitorOnly = monitorOnly;
        _lastC = Enumerable.Repeat(float.NaN, batch).ToArray();
        _latchedClosed = new bool[batch];
    }

    /// <summary>Records C(t) once step t has run.</summary>
    public void Observe(int sample, float confidence) => _lastC[sample] = confidence;

    public GateDecision Decide(int step, int sample) => Decide(step, sample, prefill: step == 0);

    /// <param name="step">step of the whole piece (every window's steps counted)</param>
    /// <param name="sample">batch item</param>
    /// <param name="prefill">the step is a window's prefill (never shifted; the gate and its latch are left alone)</param>
    public GateDecision Decide(int step, int sample, bool prefill)
    {
        var o = _trait.Options;
        bool iti = o.Mode == SteeringMode.Iti;
        bool scheduled = step >= 1 && (iti || (step - 1) % o.Every == 0);
        if (step < 1 || prefill) return new GateDecision(false, false, 0, 0);

        float c = _lastC[sample];
        bool open;
        float beta;
        if (iti) { open = true; beta = 1; }
        else
        {
            bool remove = o.Action == SteeringAction.Remove;
            open = remove ? c > _trait.GateThreshold : c < _trait.GateThreshold;   // false for NaN
            if (o.LatchGate)
            {
                if (!open) _latchedClosed[sample] = true;
                open &= !_latchedClosed[sample];
            }
            beta = o.Beta == BetaRule.One ? 1 : float.IsNaN(c) ? 0 : remove ? c : 1 - c;
        }
        float coefficient = scheduled && open && !_monitorOnly ? (float)(beta * o.Alpha * _trait.Sign) : 0;
        return new GateDecision(scheduled, open, beta, coefficient == 0 ? 0 : coefficient); // no −0
    }
}
