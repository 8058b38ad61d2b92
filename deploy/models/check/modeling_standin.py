"""Stand-ins for the custom modeling code of gte-Qwen2 and NV-Embed-v2 (their real code is on the
Hugging Face hub, which the check machine cannot reach). Written for this project, not copied.

BidirectionalQwen2Model: Qwen2 with every token attending to every real token (gte-Qwen2-instruct
runs Qwen2 without the causal mask). BidirectionalMistralModel: the same for Mistral.
NVEmbedStandIn: NV-Embed-v2's shape: a bidirectional Mistral, then latent-attention pooling's
token-level part (each token cross-attends to a learned latent array, then an MLP, both with
residuals); sentence-transformers then mean-pools its output over the real tokens.
The folder's config.json names these classes in auto_map, so AutoModel loads them with
trust_remote_code=True, as it loads the real models' code.
"""
import torch
from torch import nn
from transformers import MistralModel, MistralPreTrainedModel, Qwen2Model
from transformers.masking_utils import create_bidirectional_mask
from transformers.modeling_outputs import BaseModelOutput


def _bidirectional_forward(model, parent, input_ids, attention_mask, position_ids, inputs_embeds,
                           kwargs):
    if inputs_embeds is None:
        inputs_embeds = model.embed_tokens(input_ids)
    if attention_mask is None:
        attention_mask = torch.ones(inputs_embeds.shape[:2], dtype=torch.long,
                                    device=inputs_embeds.device)
    mask = create_bidirectional_mask(config=model.config, inputs_embeds=inputs_embeds,
                                     attention_mask=attention_mask,
                                     allow_is_bidirectional_skip=False)
    kwargs.pop("use_cache", None)
    kwargs.pop("past_key_values", None)
    return parent.forward(model, inputs_embeds=inputs_embeds, attention_mask=mask,
                          position_ids=position_ids, use_cache=False, **kwargs)


class BidirectionalQwen2Model(Qwen2Model):
    def __init__(self, config):
        super().__init__(config)
        for layer in self.layers:
            layer.self_attn.is_causal = False

    def forward(self, input_ids=None, attention_mask=None, position_ids=None,
                past_key_values=None, inputs_embeds=None, use_cache=None, **kwargs):
        return _bidirectional_forward(self, Qwen2Model, input_ids, attention_mask, position_ids,
                                      inputs_embeds, kwargs)


class BidirectionalMistralModel(MistralModel):
    def __init__(self, config):
        super().__init__(config)
        for layer in self.layers:
            layer.self_attn.is_causal = False

    def forward(self, input_ids=None, attention_mask=None, position_ids=None,
                past_key_values=None, inputs_embeds=None, use_cache=None, **kwargs):
        return _bidirectional_forward(self, MistralModel, input_ids, attention_mask, position_ids,
                                      inputs_embeds, kwargs)


class LatentAttention(nn.Module):
    """Each token attends to a learned latent array (queries: tokens; keys, values: latents)."""

    def __init__(self, hidden, latents, heads):
        super().__init__()
        self.heads = heads
        self.latents = nn.Parameter(torch.randn(latents, hidden) * 0.5)
        self.q = nn.Linear(hidden, hidden, bias=False)
        self.k = nn.Linear(hidden, hidden, bias=False)
        self.v = nn.Linear(hidden, hidden, bias=False)
        self.o = nn.Linear(hidden, hidden, bias=False)
        self.mlp = nn.Sequential(nn.Linear(hidden, 4 * hidden), nn.GELU(), nn.Linear(4 * hidden, hidden))

    def forward(self, hidden_states):
        b, t, h = hidden_states.shape
        d = h // self.heads
        lat = self.latents.to(hidden_states.dtype)
        q = self.q(hidden_states).view(b, t, self.heads, d).transpose(1, 2)
        k = self.k(lat).view(-1, self.heads, d).transpose(0, 1).unsqueeze(0)
        v = self.v(lat).view(-1, self.heads, d).transpose(0, 1).unsqueeze(0)
        weights = torch.softmax(q @ k.transpose(-1, -2) / d ** 0.5, dim=-1)
        attended = (weights @ v).transpose(1, 2).reshape(b, t, h)
        x = self.o(attended) + hidden_states
        return self.mlp(x) + x


class NVEmbedStandIn(MistralPreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.embedding_model = BidirectionalMistralModel(config)
        self.latent_attention_model = LatentAttention(
            config.hidden_size, getattr(config, "num_latents_value", 8), config.num_attention_heads)
        self.post_init()

    def forward(self, input_ids=None, attention_mask=None, position_ids=None, inputs_embeds=None,
                **kwargs):
        hidden = self.embedding_model(input_ids=input_ids, attention_mask=attention_mask,
                                      position_ids=position_ids, inputs_embeds=inputs_embeds)[0]
        return BaseModelOutput(last_hidden_state=self.latent_attention_model(hidden))
