using Smitin.Models;
using Smitin.Models.Decoder;
using Smitin.Probing;

namespace Smitin.Steering;

/// <summary><c>using (model.Steer(plan)) { ... }</c>: scoped steering of a decoder.</summary>
public static class SteeringExtensions
{
    /// <summary>
    /// Applies <paramref name="plan"/> to every generation run on <paramref name="lm"/> until the session is disposed.
    /// Checks the plan's layer/head shape against the decoder.
    /// </summary>
    /// <returns>the session; dispose it to remove the hooks</returns>
    /// <exception cref="SmitinException">the plan's shape does not fit the decoder, or a plan is already applied</exception>
    public static SteeringSession Steer(this MusicGenLm lm, InterventionPlan plan) => new(lm, plan);

    /// <summary>
    /// Applies <paramref name="plan"/> to <paramref name="model"/>'s decoder, after checking that every probe set was
    /// trained on this model (identity and config hash).
    /// </summary>
    /// <returns>the session; dispose it to remove the hooks</returns>
    /// <exception cref="SmitinException">a probe set was trained on another model, or a plan is already applied</exception>
    public static SteeringSession Steer(this MusicGen model, InterventionPlan plan)
    {
        plan.EnsureModel(ProbeModelIdentity.Of(model));
        return new SteeringSession(model.Decoder, plan);
    }
}
