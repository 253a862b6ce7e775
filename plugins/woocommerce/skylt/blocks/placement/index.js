/* Editor side of skylt/placement: plain ES5 on wp.* globals, no build step. Block hooks put it into block themes'
   templates (Skylt_Blocks); in the Site Editor it shows where the slot goes, and removing it there keeps it out. */
(function (wp) {
	'use strict';
	var el = wp.element.createElement;
	var __ = wp.i18n.__;
	wp.blocks.registerBlockType('skylt/placement', {
		edit: function () {
			return el('div', wp.blockEditor.useBlockProps(),
				el(wp.components.Placeholder, { icon: 'products', label: __('Skylt recommendations', 'skylt'),
					instructions: __('The slot configured in the Skylt settings shows here.', 'skylt') }));
		},
		save: function () { return null; }
	});
}(window.wp));
